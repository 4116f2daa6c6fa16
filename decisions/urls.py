from django.urls import path

from decisions import views

app_name = "decisions"

urlpatterns = [
    # Residents
    path("ballots/", views.my_ballots, name="my_ballots"),
    path("ballots/<int:pk>/", views.ballot_detail, name="ballot_detail"),
    path("ballots/<int:pk>/vote/", views.ballot_vote, name="ballot_vote"),
    path("ballots/<int:pk>/receipt/<str:code>/", views.ballot_receipt, name="ballot_receipt"),
    path("ballots/<int:pk>/receipt-check/", views.receipt_check, name="receipt_check"),
    path("ballots/<int:pk>/results/", views.ballot_results, name="ballot_results"),
    path("ballots/<int:pk>/result.csv", views.ballot_export, name="ballot_export"),
    path("ballots/<int:pk>/notice/", views.ballot_notice, name="ballot_notice"),
    # Organizers
    path("committees/<int:pk>/ballots/", views.committee_ballots, name="committee_ballots"),
    path("committees/<int:pk>/ballots/new/", views.ballot_create, name="ballot_create"),
    path("ballots/<int:pk>/manage/", views.ballot_manage, name="ballot_manage"),
    path("ballots/<int:pk>/questions/new/", views.question_add, name="question_add"),
    path("ballots/<int:pk>/questions/<int:question_pk>/remove/", views.question_remove, name="question_remove"),
    path("ballots/<int:pk>/voters/", views.named_voters, name="named_voters"),
    path("ballots/<int:pk>/open/", views.ballot_open, name="ballot_open"),
    path("ballots/<int:pk>/close/", views.ballot_close, name="ballot_close"),
    path("ballots/<int:pk>/publish/", views.ballot_publish, name="ballot_publish"),
    path("ballots/<int:pk>/cancel/", views.ballot_cancel, name="ballot_cancel"),
    path("ballots/<int:pk>/paper/", views.paper_batches, name="paper_batches"),
    path("ballots/<int:pk>/paper/<int:batch_pk>/", views.paper_batch, name="paper_batch"),
    path("ballots/<int:pk>/paper/<int:batch_pk>/confirm/", views.paper_batch_confirm,
         name="paper_batch_confirm"),
    path("ballots/<int:pk>/paper/<int:batch_pk>/discard/", views.paper_batch_discard,
         name="paper_batch_discard"),
    path("ballots/<int:pk>/paper/<int:batch_pk>/sheets/<int:sheet_pk>/remove/", views.paper_sheet_remove,
         name="paper_sheet_remove"),
    # The sealed ballot box: scrutineers and their cards
    path("ballots/<int:pk>/scrutineers/", views.scrutineers, name="ballot_scrutineers"),
    path("ballots/<int:pk>/card/", views.card, name="ballot_card"),
    path("ballots/<int:pk>/box/", views.ballot_box, name="ballot_box"),
    path("ballots/<int:pk>/box.txt", views.box_hashes, name="ballot_box_hashes"),
    # Organizers and floor leaders
    path("ballots/<int:pk>/assist/", views.assisted_vote, name="assisted_vote"),
]
