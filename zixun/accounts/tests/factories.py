import factory

from zixun.accounts.models import User


class UserFactory(factory.django.DjangoModelFactory[User]):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    password = factory.django.Password("correct horse battery")


class EditorFactory(UserFactory):
    username = factory.Sequence(lambda n: f"editor{n}")
    role = User.Role.EDITOR
