"""Party-member deliberation (党员代表议事) and floor consultations (楼组商议)."""

from django.urls import path

from deliberation.views import floor as floor_views
from deliberation.views import party as party_views

app_name = "deliberation"

urlpatterns = [
    path("party/", party_views.party_index, name="party_index"),
    path("party/<int:pk>/", party_views.party_agenda, name="party_agenda"),
    path("party/<int:pk>/propose/", party_views.topic_propose, name="party_topic_propose"),
    path("party/<int:pk>/settings/", party_views.party_settings, name="party_settings"),
    path("party/<int:pk>/meetings/", party_views.party_meetings, name="party_meetings"),
    path("party/<int:pk>/meetings/new/", party_views.meeting_create, name="party_meeting_create"),
    path("party/meetings/<int:pk>/", party_views.party_meeting, name="party_meeting"),
    path("party/topics/<int:pk>/", party_views.topic_detail, name="party_topic"),
    path("party/topics/<int:pk>/second/", party_views.topic_second, name="party_topic_second"),
    path("party/topics/<int:pk>/comment/", party_views.topic_comment, name="party_topic_comment"),
    path("party/topics/<int:pk>/vote/", party_views.topic_vote, name="party_topic_vote"),
    path("party/topics/<int:pk>/vote/open/", party_views.topic_vote_open, name="party_topic_vote_open"),
    path("party/topics/<int:pk>/vote/close/", party_views.topic_vote_close, name="party_topic_vote_close"),
    path("party/topics/<int:pk>/resolve/", party_views.topic_resolve, name="party_topic_resolve"),
    path("party/topics/<int:pk>/withdraw/", party_views.topic_withdraw, name="party_topic_withdraw"),
    path("party/topics/<int:pk>/follow-ups/new/", party_views.topic_follow_up_add, name="party_follow_up_add"),
    path("party/comments/<int:pk>/edit/", party_views.comment_edit, name="party_comment_edit"),
    path("follow-ups/<int:pk>/progress/", party_views.follow_up_note, name="follow_up_note"),
    path("floors/", floor_views.floor_index, name="floor_index"),
    path("floors/<int:pk>/", floor_views.floor_building, name="floor_building"),
    path("floors/<int:pk>/convention/", floor_views.floor_convention, name="floor_convention"),
    path("floors/<int:pk>/consultations/new/", floor_views.consultation_open, name="floor_consultation_open"),
    path("floors/consultations/<int:pk>/", floor_views.floor_consultation, name="floor_consultation"),
    path("floors/consultations/<int:pk>/answer/", floor_views.consultation_answer, name="floor_answer"),
    path("floors/consultations/<int:pk>/households/", floor_views.consultation_households,
         name="floor_households"),
    path("floors/consultations/<int:pk>/assist/", floor_views.consultation_assist, name="floor_assist"),
    path("floors/consultations/<int:pk>/close/", floor_views.consultation_close, name="floor_close"),
    path("floors/consultations/<int:pk>/count/", floor_views.consultation_count_publish, name="floor_count_publish"),
    path("floors/consultations/<int:pk>/agree/", floor_views.consultation_agree, name="floor_agree"),
    path("floors/consultations/<int:pk>/cancel/", floor_views.consultation_cancel, name="floor_cancel"),
    path("floors/consultations/<int:pk>/follow-ups/new/", floor_views.consultation_follow_up_add,
         name="floor_follow_up_add"),
]
