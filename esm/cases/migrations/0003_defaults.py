"""The default category tree, SLA targets and business hours of a fresh installation.

Administrators edit all three in the admin afterwards; category codes are stable.
"""

from datetime import time

from django.db import migrations

CATEGORIES = [
    ("glass", "Glas og ruder", "Glass and windows"),
    ("locks", "Låse og nøgler", "Locks and keys"),
    ("plumbing", "VVS og afløb", "Plumbing"),
    ("electrical", "El og belysning", "Electrical"),
    ("heating", "Varme og ventilation", "Heating and ventilation"),
    ("roof", "Tag og facade", "Roof and facade"),
    ("outdoor", "Udearealer og legepladser", "Outdoor areas"),
    ("cleaning", "Rengøring", "Cleaning"),
    ("pests", "Skadedyr", "Pests"),
    ("other", "Andet", "Other"),
]
# business minutes: (first response, resolution)
TARGETS = {"urgent": (60, 480), "high": (240, 1440), "normal": (480, 4800), "low": (960, 9600)}


def add_defaults(apps, schema_editor):  # type: ignore[no-untyped-def]
    Category = apps.get_model("cases", "Category")
    SlaTarget = apps.get_model("cases", "SlaTarget")
    BusinessHours = apps.get_model("cases", "BusinessHours")
    for position, (code, da, en) in enumerate(CATEGORIES):
        Category.objects.get_or_create(code=code, defaults={"name_da": da, "name_en": en, "position": position})
    for priority, (first, resolution) in TARGETS.items():
        SlaTarget.objects.get_or_create(
            priority=priority, defaults={"first_response_minutes": first, "resolution_minutes": resolution}
        )
    for weekday in range(5):
        BusinessHours.objects.get_or_create(weekday=weekday, defaults={"opens": time(8), "closes": time(16)})


class Migration(migrations.Migration):
    dependencies = [("cases", "0002_search_index")]
    operations = [migrations.RunPython(add_defaults, migrations.RunPython.noop)]
