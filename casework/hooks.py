"""How casework plugs into the core: menu links, dashboard panels, periodic jobs and demo data."""
