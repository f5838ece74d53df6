import factory

from zixun.creators.models import Creator


class CreatorFactory(factory.django.DjangoModelFactory[Creator]):
    class Meta:
        model = Creator
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"测试号{n}")
    verification_label = "测试官方资讯号"
    account_type = Creator.AccountType.MEDIA
    bio = "一个测试账号"
