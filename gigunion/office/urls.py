from django.contrib.auth import views as auth_views
from django.urls import path

from gigunion.office import views

app_name = "office"

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("regions/<str:code>/", views.region_detail, name="region_detail"),
    path("organizations/", views.organization_list, name="organization_list"),
    path("organizations/<int:organization_id>/", views.organization_detail, name="organization_detail"),
    path("jobs/<uuid:job_id>/", views.job_progress, name="job_progress"),
    path("staff/<int:staff_id>/phone/", views.staff_phone, name="staff_phone"),
]
