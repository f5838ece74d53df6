from django.db import models
from django.urls import reverse
from django.utils.translation import get_language

from zixun.core.models import BaseModel


class Channel(BaseModel):
    """A section of the site (频道): 头条, 体育, 娱乐 …; editors configure them in the admin."""

    slug = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=20, unique=True)
    name_en = models.CharField(max_length=40, blank=True)
    position = models.PositiveSmallIntegerField(default=100)
    is_active = models.BooleanField(default=True)
    # Shown as a "<name>要闻" block beside every article (头条要闻, 体育要闻 …).
    is_highlighted = models.BooleanField(default=False)
    # A category tab of the 态度原创 (original content) block.
    is_original_category = models.BooleanField(default=False)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.name

    @property
    def display_name(self) -> str:
        return self.name_en if self.name_en and get_language() == "en" else self.name

    def get_absolute_url(self) -> str:
        return reverse("web:channel", kwargs={"slug": self.slug})
