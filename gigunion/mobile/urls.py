from django.urls import path

from gigunion.mobile import views

app_name = "mobile"

urlpatterns = [
    path("", views.home, name="home"),
    path("join/", views.join, name="join"),
    path("join/done/", views.join_done, name="join_done"),
    path("j/<str:code>/", views.channel_join, name="channel_join"),
    path("i/<str:code>/", views.invitation, name="invitation"),
    path("regions/", views.regions, name="regions"),
    path("login/", views.login, name="login"),
    path("logout/", views.logout, name="logout"),
    path("me/", views.me, name="me"),
    path("v/<str:token>/", views.verify, name="verify"),
]
