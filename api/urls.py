from django.urls import path

from api import views

app_name = "api"

urlpatterns = [
    path("streets/<int:pk>/api-tokens/", views.token_list, name="token_list"),
    path("streets/<int:pk>/api-tokens/<int:token_pk>/revoke/", views.token_revoke, name="token_revoke"),
    path("streets/<int:pk>/api-tokens/log/", views.token_log, name="token_log"),
]
