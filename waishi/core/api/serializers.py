from rest_framework import serializers


class ErrorSerializer(serializers.Serializer):
    """The body of every error (API.md): documented once, used by every endpoint's schema."""

    code = serializers.CharField()
    message = serializers.CharField()
    extra = serializers.DictField()
