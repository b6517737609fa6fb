from waishi.core.navigation import menus_for


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "menus": menus_for(user),
        "unread_notifications": user.notifications.filter(read_at__isnull=True).count(),
    }
