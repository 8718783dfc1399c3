from django.urls import path

from gigunion.mobile import views

app_name = "mobile"

urlpatterns = [
    path("", views.home, name="home"),
]
