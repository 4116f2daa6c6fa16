"""Pages of party-member deliberation and floor consultations."""
