// Small builders for engine tests: a readable market with unit tick and step, and command
// factories that fill in ids and timestamps.
import {
  AmendOrderCommand,
  CancelAllCommand,
  CancelOrderCommand,
  PlaceOrderCommand,
  SetMarketStatusCommand,
  Side,
} from '../engine/commands';
import { createMarket, Market, MarketStatus } from '../money/market';

/** Tick 1, step 1, no decimals: notional = price x quantity, fees 10 / 20 bps rounded up. */
export const UNIT: Market = createMarket({
  symbol: 'UNIT',
  baseAsset: 'B',
  quoteAsset: 'Q',
  baseScale: 0,
  quoteScale: 0,
  tickSize: '1',
  stepSize: '1',
  minQty: '1',
  maxQty: '1000000',
  minNotional: '0',
  makerFeePpm: 1_000,
  takerFeePpm: 2_000,
});

let counter = 0;

function base(userId: string, symbol: string) {
  counter += 1;
  return { commandId: `cmd-${counter}`, timestampMs: 1_000 + counter, userId, symbol };
}

export function limit(
  orderId: string,
  userId: string,
  side: Side,
  priceTicks: number,
  qtyLots: number,
  extra: Partial<PlaceOrderCommand> = {},
): PlaceOrderCommand {
  return {
    ...base(userId, extra.symbol ?? UNIT.symbol),
    type: 'place',
    orderId,
    side,
    orderType: 'LIMIT',
    priceTicks,
    qtyLots,
    ...extra,
  };
}

export function market(
  orderId: string,
  userId: string,
  side: Side,
  extra: Partial<PlaceOrderCommand>,
): PlaceOrderCommand {
  return {
    ...base(userId, extra.symbol ?? UNIT.symbol),
    type: 'place',
    orderId,
    side,
    orderType: 'MARKET',
    ...extra,
  };
}

export function cancel(orderId: string, userId: string, symbol = UNIT.symbol): CancelOrderCommand {
  return { ...base(userId, symbol), type: 'cancel', orderId };
}

export function cancelAll(userId: string, symbol = UNIT.symbol): CancelAllCommand {
  return { ...base(userId, symbol), type: 'cancelAll' };
}

export function setStatus(status: MarketStatus, symbol = UNIT.symbol): SetMarketStatusCommand {
  return { ...base('ops', symbol), type: 'setMarketStatus', status };
}

export function amend(
  orderId: string,
  userId: string,
  change: Partial<AmendOrderCommand>,
): AmendOrderCommand {
  return { ...base(userId, change.symbol ?? UNIT.symbol), type: 'amend', orderId, ...change };
}
