from django.contrib.auth.models import AbstractUser


class User(AbstractUser):
    """A person who signs in: reader, creator member, editor or admin.

    Roles and reader preferences arrive with #3 and #4; the custom model exists
    from the first migration so that they can be added without a swap.
    """

    class Meta(AbstractUser.Meta):  # type: ignore[name-defined,misc]
        ordering = ["id"]
        swappable = "AUTH_USER_MODEL"
