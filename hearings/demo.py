"""Demo hearings and coordination meetings, called by ``seed_demo``."""


def seed(stdout=None) -> None:
    from hearings import demo_coordination, demo_hearing

    for module in (demo_hearing, demo_coordination):
        if hasattr(module, "seed"):
            module.seed(stdout=stdout)
