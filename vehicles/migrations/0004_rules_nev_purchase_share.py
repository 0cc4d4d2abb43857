import django.core.validators
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('vehicles', '0003_trip_platform_id_constraint'),
    ]

    operations = [
        migrations.AddField(
            model_name='rules',
            name='nev_purchase_share',
            field=models.PositiveSmallIntegerField(default=30, help_text='当年新购、更新车辆中新能源车不低于此比例（国管资〔2024〕197号为 30%）。', validators=[django.core.validators.MaxValueValidator(100)], verbose_name='新购车辆新能源占比目标（%）'),
        ),
    ]
