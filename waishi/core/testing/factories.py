import time

import factory
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from waishi.directory.choices import Gender, OrganizationKind, OrganizationLevel, Rank
from waishi.directory.models import City, Organization, Person
from waishi.users.models import User


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"org-{n}")
    name = factory.Sequence(lambda n: f"测试单位{n}")
    kind = OrganizationKind.UNIT
    level = OrganizationLevel.CITY


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    organization = factory.SubFactory(OrganizationFactory)
    name = factory.Iterator(["张三", "李四", "王芳", "欧阳明", "赵敏"])
    gender = Gender.MALE
    rank = Rank.DIVISION
    position = "处长"
    id_number = "11010519491231002X"
    phone = "13800138000"


class CityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = City

    country_id = "JP"
    name_zh = factory.Sequence(lambda n: f"城市{n}")
    name_en = factory.Sequence(lambda n: f"City {n}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.PostGenerationMethodCall("set_password", "Waishi@2026")
    password_changed_at = factory.LazyFunction(timezone.now)  # a fresh password: no forced change

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        from django.contrib.auth.models import Group

        if create and extracted:
            self.groups.set(Group.objects.filter(name__in=extracted))
            self.save()


def enrolled_device(user) -> TOTPDevice:
    """The user's confirmed TOTP device, created when he has none (an enrolled account)."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).first() or TOTPDevice.objects.create(
        user=user, name="Waishi", confirmed=True
    )


def totp_code(device: TOTPDevice, at: float | None = None) -> str:
    """The code an authenticator app holding ``device``'s key shows at ``at`` (now by default)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() if at is None else at
    return f"{totp.token():0{device.digits}d}"
