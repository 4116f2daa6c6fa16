from hearings.urls_coordination import urlpatterns as coordination_urls
from hearings.urls_hearing import urlpatterns as hearing_urls

app_name = "hearings"

urlpatterns = [*hearing_urls, *coordination_urls]
