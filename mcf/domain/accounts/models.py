"""Accounts of every person who logs in: holders, professionals, back-office operators.

Declared from the first commit so that the later issues (registration by NIR, professional
accounts) extend it without a user-model swap.
"""

from django.contrib.auth.models import AbstractUser


class User(AbstractUser):
    class Meta:
        verbose_name = "utilisateur"
        verbose_name_plural = "utilisateurs"
