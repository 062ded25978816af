"""News (新闻动态): articles written in the back office, reviewed in three steps (三审) and
published to residents. An app of the portal's site layer: it may read outreach and petitions,
only through their read functions."""
