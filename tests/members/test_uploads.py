import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from members.uploads import attachment_path, validate_attachment


def test_pdf_and_images_pass():
    validate_attachment(SimpleUploadedFile("plan.pdf", b"%PDF-1.7 ..."))
    validate_attachment(SimpleUploadedFile("photo.JPG", b"\xff\xd8\xff\xe0 jpeg"))
    validate_attachment(SimpleUploadedFile("map.png", b"\x89PNG\r\n\x1a\n...."))


@pytest.mark.parametrize(("name", "content", "code"), [
    ("run.exe", b"MZ....", "file_type"),
    ("page.html", b"<script>alert(1)</script>", "file_type"),
    ("fake.pdf", b"<html>not a pdf</html>", "file_content"),
    ("empty.pdf", b"", "file_empty"),
])
def test_other_files_are_refused_with_a_reason(name, content, code):
    with pytest.raises(ValidationError) as error:
        validate_attachment(SimpleUploadedFile(name, content))
    assert error.value.code == code
    assert name in error.value.messages[0]


def test_size_limit(settings):
    settings.ATTACHMENT_MAX_BYTES = 100
    with pytest.raises(ValidationError) as error:
        validate_attachment(SimpleUploadedFile("big.pdf", b"%PDF-" + b"x" * 200))
    assert error.value.code == "file_size"


def test_stored_name_is_not_the_uploaders():
    path = attachment_path("hearings", "../../etc/passwd.pdf")
    assert path.startswith("hearings/") and path.endswith(".pdf") and ".." not in path
