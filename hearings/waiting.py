"""What hearings and coordination meetings are waiting for from a person (see members.waiting)."""


def items_for(user) -> list:
    from hearings import waiting_coordination, waiting_hearing

    return [item for module in (waiting_hearing, waiting_coordination) if hasattr(module, "items_for")
            for item in module.items_for(user)]
