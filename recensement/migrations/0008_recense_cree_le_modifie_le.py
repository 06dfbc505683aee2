from django.db import migrations


class Migration(migrations.Migration):
    """The registrant's dates are named in French like every other model's (`cree_le`);
    renamed, so the stored dates are kept."""

    dependencies = [
        ("recensement", "0007_recense_name_rule"),
    ]

    operations = [
        migrations.RenameField(model_name="recense", old_name="created_at", new_name="cree_le"),
        migrations.RenameField(
            model_name="historicalrecense", old_name="created_at", new_name="cree_le"
        ),
        migrations.RenameField(
            model_name="recense", old_name="updated_at", new_name="modifie_le"
        ),
    ]
