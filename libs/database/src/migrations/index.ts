import { ReferenceData1790000000001 } from './1790000000001-reference-data';
import { BalancesLedger1790000000002 } from './1790000000002-balances-ledger';
import { OrdersTrades1790000000003 } from './1790000000003-orders-trades';
import { Coordination1790000000004 } from './1790000000004-coordination';
import { Settlement1790000000005 } from './1790000000005-settlement';
import { SettlementWritePath1790000000006 } from './1790000000006-settlement-write-path';
import { OrderEntryWritePath1790000000007 } from './1790000000007-order-entry-write-path';
import { OutboxMessages1790000000008 } from './1790000000008-outbox-messages';
import { OrderLockJournal1790000000009 } from './1790000000009-order-lock-journal';
import { ExchangeIdentity1790000000010 } from './1790000000010-exchange-identity';

/**
 * Every migration, oldest first. An explicit list rather than a glob, so that it works the same
 * under swc, jest and compiled dist. A new migration is a new file appended here; a migration
 * that has shipped is never edited.
 */
export const MIGRATIONS = [
  ReferenceData1790000000001,
  BalancesLedger1790000000002,
  OrdersTrades1790000000003,
  Coordination1790000000004,
  Settlement1790000000005,
  SettlementWritePath1790000000006,
  OrderEntryWritePath1790000000007,
  OutboxMessages1790000000008,
  OrderLockJournal1790000000009,
  ExchangeIdentity1790000000010,
];
