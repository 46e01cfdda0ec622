from django.urls import path

from mcf.web.devmail import views

app_name = "devmail"

urlpatterns = [
    path("", views.mailbox, name="mailbox"),
    path("<int:pk>/", views.message, name="message"),
]
