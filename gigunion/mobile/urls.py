from django.urls import path

from gigunion.mobile import appeals, stations, views

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
    # Stations and partner merchants (stations.py).
    path("stations/", stations.station_list, name="stations"),
    path("stations/<str:code>/", stations.station_detail, name="station_detail"),
    path("stations/<str:code>/photos/<int:photo_id>.jpg", stations.station_photo, name="station_photo"),
    path("s/<str:secret>/", stations.station_checkin, name="station_checkin"),
    path("api/stations/nearby", stations.stations_nearby_api, name="stations_nearby_api"),
    path("api/merchants/nearby", stations.merchants_nearby_api, name="merchants_nearby_api"),
    path("desk/", stations.desk_home, name="desk"),
    path("desk/redeem/<str:token>/", stations.desk_redeem, name="desk_redeem"),
    path("desk/<str:secret>/", stations.merchant_desk, name="merchant_desk"),
    # Appeals (appeals.py).
    path("appeals/", appeals.appeal_list, name="appeals"),
    path("appeals/new/", appeals.appeal_new, name="appeal_new"),
    path("appeals/<str:number>/", appeals.appeal_detail, name="appeal_detail"),
    path("appeals/<str:number>/files/<int:attachment_id>", appeals.appeal_file, name="appeal_file"),
]
