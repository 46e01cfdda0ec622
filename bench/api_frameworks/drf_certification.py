"""« Une certification par son code CPF » with Django REST framework + drf-spectacular:
the same answer as mcf/web/api/catalogue.py's ``certification`` (and its schemas), written
the way DRF's documentation does it. Bench only (bench/api_frameworks.py)."""

from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from mcf.domain.catalogue.eligibility import valid_listings
from mcf.domain.catalogue.models import Certification, ListedCertification


class CertificationRefSerializer(serializers.ModelSerializer):
    type = serializers.CharField(source="kind")
    intitule = serializers.CharField(source="title")
    niveau = serializers.CharField(source="level")

    class Meta:
        model = Certification
        fields = ["type", "code", "intitule", "niveau"]


class ListingSerializer(serializers.ModelSerializer):
    liste = serializers.SerializerMethodField()
    type_liste = serializers.CharField(source="eligibility_list.kind")
    eligible_depuis = serializers.DateField(source="valid_from")
    eligible_jusqu_au = serializers.DateField(source="valid_until", allow_null=True)

    class Meta:
        model = ListedCertification
        fields = ["liste", "type_liste", "code_cpf", "eligible_depuis", "eligible_jusqu_au"]

    def get_liste(self, item) -> str:
        return str(item.eligibility_list)


class CertificationSerializer(serializers.Serializer):
    code_cpf = serializers.IntegerField()
    certification = CertificationRefSerializer()
    listes_eligibilite = ListingSerializer(many=True)


class CertificationView(APIView):
    @extend_schema(responses=CertificationSerializer, summary="Une certification")
    def get(self, request, code_cpf: int):
        listings = list(
            valid_listings(None, timezone.localdate())
            .filter(code_cpf=code_cpf)
            .select_related("certification", "eligibility_list__region", "eligibility_list__branch")
            .order_by("eligibility_list__kind", "code_cpf", "pk")
        )
        if not listings:
            return Response({"code": "introuvable"}, status=404)
        data = {
            "code_cpf": code_cpf,
            "certification": listings[0].certification,
            "listes_eligibilite": listings,
        }
        return Response(CertificationSerializer(data).data)
