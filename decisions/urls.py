from django.urls import include, path

from decisions import views

app_name = "decisions"

# What residents open: their ballots, a vote, its receipt, the published result.
residents = [
    path("", views.ballot_detail, name="ballot_detail"),
    path("vote/", views.ballot_vote, name="ballot_vote"),
    path("receipt/<str:code>/", views.ballot_receipt, name="ballot_receipt"),
    path("receipt-check/", views.receipt_check, name="receipt_check"),
    path("results/", views.ballot_results, name="ballot_results"),
    path("result.csv", views.ballot_export, name="ballot_export"),
    path("bulletin.json", views.ballot_bulletin, name="ballot_bulletin"),
    path("notice/", views.ballot_notice, name="ballot_notice"),
]

# The organizer's desk: the ballot from draft to publication, paper sheets, assisted votes.
organizers = [
    path("manage/", views.ballot_manage, name="ballot_manage"),
    path("questions/new/", views.question_add, name="question_add"),
    path("questions/<int:question_pk>/remove/", views.question_remove, name="question_remove"),
    path("voters/", views.named_voters, name="named_voters"),
    path("open/", views.ballot_open, name="ballot_open"),
    path("close/", views.ballot_close, name="ballot_close"),
    path("publish/", views.ballot_publish, name="ballot_publish"),
    path("cancel/", views.ballot_cancel, name="ballot_cancel"),
    path("assist/", views.assisted_vote, name="assisted_vote"),
    path("paper/", views.paper_batches, name="paper_batches"),
    path("paper/<int:batch_pk>/", include([
        path("", views.paper_batch, name="paper_batch"),
        path("confirm/", views.paper_batch_confirm, name="paper_batch_confirm"),
        path("discard/", views.paper_batch_discard, name="paper_batch_discard"),
        path("sheets/<int:sheet_pk>/remove/", views.paper_sheet_remove, name="paper_sheet_remove"),
    ])),
]

# The sealed ballot box: its scrutineers, their cards, the box they open together.
box = [
    path("scrutineers/", views.scrutineers, name="ballot_scrutineers"),
    path("card/", views.card, name="ballot_card"),
    path("box/", views.ballot_box, name="ballot_box"),
    path("box.txt", views.box_hashes, name="ballot_box_hashes"),
]

urlpatterns = [
    path("ballots/", views.my_ballots, name="my_ballots"),
    path("ballots/<int:pk>/", include(residents + organizers + box)),
    path("committees/<int:pk>/ballots/", views.committee_ballots, name="committee_ballots"),
    path("committees/<int:pk>/ballots/new/", views.ballot_create, name="ballot_create"),
]
