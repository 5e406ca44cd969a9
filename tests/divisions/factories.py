from __future__ import annotations

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from divisions.models import Division, Kind, UserScope

PASSWORD = "test-password-123"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.invalid")

    @factory.post_generation
    def password(obj, create, extracted, **kwargs):
        obj.set_password(extracted or PASSWORD)
        if create:
            obj.save(update_fields=["password"])


class DivisionFactory(factory.django.DjangoModelFactory):
    """A hamlet (ấp) under a given commune by default."""

    class Meta:
        model = Division

    code = factory.Sequence(lambda n: f"H{n:05d}")
    name = factory.Sequence(lambda n: f"Ấp {n}")
    kind = Kind.HAMLET


def make_user(role: str | None, scope_code: str | None, *, on=None, **kwargs):
    """A user in the role's group with a scope division given by its code (the unit with that
    code valid on `on`; without it the unit that started first, i.e. the old one)."""
    user = UserFactory(**kwargs)
    if role:
        group, _ = Group.objects.get_or_create(name=role)
        user.groups.add(group)
    if scope_code:
        UserScope.objects.update_or_create(
            user=user,
            defaults={
                "division": Division.objects.by_code(scope_code, on=on)
                if on
                else Division.objects.filter(code=scope_code).order_by("valid_from", "pk")[0]
            },
        )
    return user
