"""Test support shared by every module: factories, a small organization tree, and declarative view and
API test mixins that every registered model uses."""
