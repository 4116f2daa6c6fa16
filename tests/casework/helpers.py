"""Requests at each stage, made through the services (test data visible in each test)."""

from django.core.files.uploadedfile import SimpleUploadedFile

from casework import services
from casework.models import Case, Category
from tests.casework.conftest import PNG


def png(name: str = "leak.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PNG, content_type="image/png")


def filed(world, *, named: bool = False, photo=None, description: str = "楼上漏水到我家天花板") -> Case:
    return services.case_file(by=world.resident, committee=world.committee, compound=world.compound,
                              building=world.building, spot="302", category=Category.LEAK,
                              description=description, named_to_handler=named, photo=photo)


def routed(world, **kwargs) -> Case:
    case = filed(world, **kwargs)
    return services.case_route(case=case, by=world.organizer, handler=world.firm, days=5)


def answered(world, **kwargs) -> Case:
    case = routed(world, **kwargs)
    services.case_accept(case=case, by=world.firm_contact)
    return services.case_answer(case=case, by=world.firm_contact, text="已修复防水层")
