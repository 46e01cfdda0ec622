"""Image and audio of a registration captcha (AUTH-08), mounted at /securite/captcha/."""

from django.urls import path

from mcf.web.antibot import views

app_name = "antibot"

urlpatterns = [
    path("<uuid:challenge_id>/image.png", views.captcha_image, name="image"),
    path("<uuid:challenge_id>/audio.wav", views.captcha_audio, name="audio"),
]
