// Proves the migrations build the whole schema on an empty database and that `down` removes all
// of it: up, down --all, up again on a fresh database, comparing catalog listings each time.
import { MIGRATIONS, migrateDown, migrateUp } from '@app/database';
import { createTestDatabase, type TestDatabase } from '@app/testing';
import { EXPECTED_TABLES, EXPECTED_VIEWS, publicObjects, schemaSnapshot } from './catalog';

const MIGRATION_NAMES = MIGRATIONS.map((migration) => migration.name);

describe('migrations', () => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await createTestDatabase('migrations', { migrate: false });
  });

  afterAll(async () => {
    await db?.drop();
  });

  it('start from an empty database', async () => {
    expect(await publicObjects(db.dataSource, 'all')).toEqual([]);
  });

  it('run up, down and up again, ending with the same schema', async () => {
    expect(await migrateUp(db.dataSource)).toEqual(MIGRATION_NAMES);
    expect(await publicObjects(db.dataSource, 'tables')).toEqual(
      [...EXPECTED_TABLES, 'typeorm_migrations'].sort(),
    );
    expect(await publicObjects(db.dataSource, 'views')).toEqual(EXPECTED_VIEWS);
    const first = await schemaSnapshot(db.dataSource);
    expect(await migrateUp(db.dataSource)).toEqual([]);

    expect(await migrateDown(db.dataSource)).toEqual([MIGRATION_NAMES[MIGRATION_NAMES.length - 1]]);
    expect(await migrateDown(db.dataSource, { all: true })).toEqual(
      MIGRATION_NAMES.slice(0, -1).reverse(),
    );
    expect(await publicObjects(db.dataSource, 'all')).toEqual([
      'typeorm_migrations',
      'typeorm_migrations_id_seq',
    ]);
    expect(await migrateDown(db.dataSource, { all: true })).toEqual([]);

    expect(await migrateUp(db.dataSource)).toEqual(MIGRATION_NAMES);
    expect(await schemaSnapshot(db.dataSource)).toEqual(first);
  });

  it('give the template-built test databases the same schema', async () => {
    const fromTemplate = await createTestDatabase('migrations-tpl');
    try {
      expect(await schemaSnapshot(fromTemplate.dataSource)).toEqual(
        await schemaSnapshot(db.dataSource),
      );
    } finally {
      await fromTemplate.drop();
    }
  });
});
