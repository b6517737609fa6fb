from waishi.core.navigation import menus_for


def navigation(request):
    """The menus and the unread count, once a request: templates rendered inside the page (a table's) run the
    context processors again."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    if not hasattr(request, "_navigation"):
        request._navigation = {
            "menus": menus_for(user),
            "unread_notifications": user.notifications.filter(read_at__isnull=True).count(),
        }
    return request._navigation
