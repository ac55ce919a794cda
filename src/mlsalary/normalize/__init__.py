"""Pure normalization functions shared by every source: titles, levels, geography, money."""
