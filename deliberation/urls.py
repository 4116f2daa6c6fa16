"""Party-member deliberation (党员代表议事) and floor consultations (楼组商议)."""

from django.urls import include, path

from deliberation.views import floor as floor_views
from deliberation.views import party as party_views

app_name = "deliberation"

urlpatterns = [
    path("party/", party_views.party_index, name="party_index"),
    path("party/meetings/<int:pk>/", party_views.party_meeting, name="party_meeting"),
    path("party/comments/<int:pk>/edit/", party_views.comment_edit, name="party_comment_edit"),
    path("follow-ups/<int:pk>/progress/", party_views.follow_up_note, name="follow_up_note"),
    path("party/<int:pk>/", include([
        path("", party_views.party_agenda, name="party_agenda"),
        path("propose/", party_views.topic_propose, name="party_topic_propose"),
        path("settings/", party_views.party_settings, name="party_settings"),
        path("meetings/", party_views.party_meetings, name="party_meetings"),
        path("meetings/new/", party_views.meeting_create, name="party_meeting_create"),
    ])),
    path("party/topics/<int:pk>/", include([
        path("", party_views.topic_detail, name="party_topic"),
        path("second/", party_views.topic_second, name="party_topic_second"),
        path("comment/", party_views.topic_comment, name="party_topic_comment"),
        path("vote/", party_views.topic_vote, name="party_topic_vote"),
        path("vote/open/", party_views.topic_vote_open, name="party_topic_vote_open"),
        path("vote/close/", party_views.topic_vote_close, name="party_topic_vote_close"),
        path("resolve/", party_views.topic_resolve, name="party_topic_resolve"),
        path("withdraw/", party_views.topic_withdraw, name="party_topic_withdraw"),
        path("follow-ups/new/", party_views.topic_follow_up_add, name="party_follow_up_add"),
    ])),
    path("floors/", floor_views.floor_index, name="floor_index"),
    path("floors/<int:pk>/", include([
        path("", floor_views.floor_building, name="floor_building"),
        path("convention/", floor_views.floor_convention, name="floor_convention"),
        path("consultations/new/", floor_views.consultation_open, name="floor_consultation_open"),
    ])),
    path("floors/consultations/<int:pk>/", include([
        path("", floor_views.floor_consultation, name="floor_consultation"),
        path("answer/", floor_views.consultation_answer, name="floor_answer"),
        path("households/", floor_views.consultation_households, name="floor_households"),
        path("assist/", floor_views.consultation_assist, name="floor_assist"),
        path("close/", floor_views.consultation_close, name="floor_close"),
        path("count/", floor_views.consultation_count_publish, name="floor_count_publish"),
        path("agree/", floor_views.consultation_agree, name="floor_agree"),
        path("cancel/", floor_views.consultation_cancel, name="floor_cancel"),
        path("follow-ups/new/", floor_views.consultation_follow_up_add, name="floor_follow_up_add"),
    ])),
]
