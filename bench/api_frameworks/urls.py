"""The portal's routes plus the DRF twin of the certification endpoint."""

from django.urls import path
from drf_spectacular.views import SpectacularAPIView

from api_frameworks.drf_certification import CertificationView
from mcf.urls import urlpatterns as portal

urlpatterns = [
    path("drf/certifications/<int:code_cpf>", CertificationView.as_view()),
    path("drf/schema", SpectacularAPIView.as_view()),
    *portal,
]
