"""Markup that assistive technology relies on: the status region, help texts tied to their fields,
and an icon where browsers look for it."""

import re

import pytest
from django.contrib.staticfiles import finders
from django.test import Client
from django.urls import reverse

from tests.evaluations.factories import make_world

pytestmark = pytest.mark.django_db


def test_favicon_ico_leads_to_an_icon_that_exists():
    response = Client().get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"].endswith("img/favicon.ico")
    assert finders.find("img/favicon.ico") and finders.find("img/favicon.svg")


def test_every_page_names_its_icon():
    html = Client().get(reverse("account_login")).content.decode()
    assert re.search(r'<link rel="icon" href="[^"]*favicon\.svg"', html)


def test_messages_are_a_list_inside_a_status_region():
    client = Client()
    world = make_world()
    committee = world.committees[0]
    client.force_login(world.organizers[committee.pk])
    client.post(reverse("members:notification_read_all"))  # says so in a message
    html = client.get(reverse("members:notification_list")).content.decode()
    assert re.search(r'<div class="messages-region" role="status">\s*<ul class="messages">\s*<li', html)
    assert '<ul class="messages" role="status">' not in html


@pytest.mark.parametrize("page", ["campaign_create", "street_launch"])
def test_every_help_text_a_field_points_at_is_on_the_page(page):
    world = make_world()
    committee = world.committees[0]
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    if page == "street_launch":
        client.force_login(world.officer)
        url = reverse("evaluations:street_launch", args=[world.street.pk])
    else:
        client.force_login(world.organizers[committee.pk])
        url = reverse("evaluations:campaign_create", args=[committee.pk])
    html = client.get(url).content.decode()
    described = set(re.findall(r'aria-describedby="([^"]+)"', html))
    ids = set(re.findall(r'\sid="([^"]+)"', html))
    assert described <= ids, f"aria-describedby points at ids the page does not print: {described - ids}"


def test_the_generic_form_ties_help_texts_to_checkboxes_and_groups_too():
    from django import forms
    from django.template.loader import render_to_string

    class Form(forms.Form):
        agree = forms.BooleanField(help_text="Tick to agree", required=False)
        colours = forms.MultipleChoiceField(choices=[("r", "red")], widget=forms.CheckboxSelectMultiple,
                                            help_text="Pick any")
        name = forms.CharField(help_text="Your name")

    html = render_to_string("_form_fields.html", {"form": Form()})
    described = set(re.findall(r'aria-describedby="([^"]+)"', html))
    ids = set(re.findall(r'\sid="([^"]+)"', html))
    assert {"id_agree_helptext", "id_colours_helptext", "id_name_helptext"} <= described <= ids
