"""The core of ecpos: no Qt, no hardware. Config, money, codes, platform client, credential adapter,
workflow, journal, sync and reports live here."""
