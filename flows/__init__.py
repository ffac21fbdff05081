"""Prefect flows: thin tasks around the plain functions of ``pipeline``."""
