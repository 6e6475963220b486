// Seeded streams of engine commands for differential and property tests: every command type,
// every order kind, self-trades, stops, halts, malformed and duplicate commands, over several
// markets, with prices clustered around a drifting mid so orders cross and rest.
import { EngineCommand, PlaceOrderCommand, Side, StpMode, TimeInForce } from '../engine/commands';
import { notionalMinor } from '../money/amounts';
import { Market } from '../money/market';
import { Prng } from './prng';

export interface StreamOptions {
  /** Distinct userIds; few users make self-trade prevention fire often. */
  users?: number;
  /** Half-width, in ticks, of the band around mid where limit prices fall. */
  priceBandTicks?: number;
  /** Largest order quantity, in multiples of the market's minimum quantity. */
  qtyMaxMultiple?: number;
}

interface MarketState {
  market: Market;
  midTicks: number;
  /** Recently placed orderIds with their owners, for cancels and amends. */
  recent: { orderId: string; userId: string; side: Side }[];
  halted: boolean;
}

const STP_MODES: readonly StpMode[] = [
  'NONE',
  'NONE',
  'EXPIRE_TAKER',
  'EXPIRE_MAKER',
  'EXPIRE_BOTH',
];
const RECENT_ORDERS_KEPT = 400;

export class CommandStream {
  private readonly rng: Prng;
  private readonly states: MarketState[];
  private readonly users: number;
  private readonly band: number;
  private readonly qtyMaxMultiple: number;
  private sequence = 0;
  private timestampMs = 1_700_000_000_000;
  private lastCommandId = '';

  constructor(
    readonly seed: number,
    markets: readonly { market: Market; midTicks: number }[],
    options: StreamOptions = {},
  ) {
    this.rng = new Prng(seed);
    this.states = markets.map(({ market, midTicks }) => ({
      market,
      midTicks,
      recent: [],
      halted: false,
    }));
    this.users = options.users ?? 6;
    this.band = options.priceBandTicks ?? 40;
    this.qtyMaxMultiple = options.qtyMaxMultiple ?? 60;
  }

  next(): EngineCommand {
    const rng = this.rng;
    this.sequence += 1;
    this.timestampMs += rng.int(0, 3);
    if (this.lastCommandId !== '' && rng.chance(0.005)) {
      // A redelivered command: same commandId, must come back DUPLICATE.
      return this.cancelOf(this.pickState(), this.lastCommandId);
    }
    const commandId = `c${this.sequence}`;
    this.lastCommandId = commandId;
    const state = this.pickState();
    state.midTicks = Math.max(this.band * 4, state.midTicks + rng.int(-2, 2));
    const roll = rng.float();
    // Halts are short: a halted market resumes within a few dozen of its commands.
    if (state.halted ? roll < 0.05 : roll < 0.001) return this.setStatus(state, commandId);
    if (roll < 0.01) return this.malformed(state, commandId);
    if (roll < 0.15) return this.cancelOf(state, commandId);
    if (roll < 0.153) return { ...this.base(state, commandId), type: 'cancelAll' };
    if (roll < 0.25) return this.amend(state, commandId);
    return this.place(state, commandId);
  }

  private pickState(): MarketState {
    return this.rng.pick(this.states);
  }

  private base(state: MarketState, commandId: string) {
    return {
      commandId,
      timestampMs: this.timestampMs,
      userId: `u${this.rng.int(1, this.users)}`,
      symbol: state.market.symbol,
    };
  }

  /** A quantity whose notional at mid is at least the minimum, now and then one that is not. */
  private qty(state: MarketState): number {
    const market = state.market;
    const rng = this.rng;
    if (rng.chance(0.01)) return market.minQtyLots - 1;
    const perLot = notionalMinor(market, state.midTicks, 1);
    const notionalLots = Number((market.minNotionalMinor + perLot - 1n) / perLot);
    const unit = Math.max(market.minQtyLots, notionalLots);
    const multiple = rng.chance(0.7) ? rng.int(1, 8) : rng.int(1, this.qtyMaxMultiple);
    return unit + Math.floor((unit * (multiple - 1) * rng.int(1, 4)) / 2);
  }

  private price(state: MarketState, side: Side, aggressive: boolean): number {
    const offset = this.rng.int(0, this.band);
    const direction = side === 'BUY' ? -1 : 1;
    const signed = aggressive ? -direction * this.rng.int(0, this.band / 2) : direction * offset;
    return Math.max(1, state.midTicks + signed);
  }

  private place(state: MarketState, commandId: string): PlaceOrderCommand {
    const rng = this.rng;
    const market = state.market;
    const side: Side = rng.chance(0.5) ? 'BUY' : 'SELL';
    const base = this.base(state, commandId);
    // Half the time the orderId is the commandId, as order-service sends a place command.
    const orderId = rng.chance(0.5) ? commandId : `o${this.sequence}`;
    const stpMode = rng.pick(STP_MODES);
    const kind = rng.float();
    let command: PlaceOrderCommand;
    if (kind < 0.78) {
      const aggressive = rng.chance(0.3);
      const priceTicks = this.price(state, side, aggressive);
      const qtyLots = this.qty(state);
      const tifRoll = rng.float();
      const timeInForce: TimeInForce | undefined =
        tifRoll < 0.7 ? undefined : tifRoll < 0.88 ? 'IOC' : 'FOK';
      command = {
        ...base,
        type: 'place',
        orderId,
        side,
        orderType: 'LIMIT',
        priceTicks,
        qtyLots,
        stpMode,
      };
      if (timeInForce !== undefined) command.timeInForce = timeInForce;
      if (timeInForce === undefined && rng.chance(0.12)) command.postOnly = true;
      if (side === 'BUY' && rng.chance(0.15)) {
        command.quoteCapMinor =
          notionalMinor(market, priceTicks, qtyLots) + BigInt(rng.int(0, 1_000_000));
      }
    } else if (kind < 0.9) {
      command = { ...base, type: 'place', orderId, side, orderType: 'MARKET', stpMode };
      if (side === 'BUY' && rng.chance(0.5)) {
        command.quoteAmountMinor = notionalMinor(
          market,
          state.midTicks,
          this.qty(state) * rng.int(1, 4),
        );
      } else {
        command.qtyLots = this.qty(state);
        if (side === 'BUY') {
          const tight = rng.chance(0.4) ? rng.int(50, 100) : 130;
          command.quoteCapMinor =
            (notionalMinor(market, state.midTicks, command.qtyLots) * BigInt(tight)) / 100n + 1n;
        }
      }
    } else {
      // Stop orders, placed on the side of the mid that will not fire at once most of the time.
      const stopOffset = rng.int(1, this.band);
      const stopPriceTicks = Math.max(
        1,
        side === 'BUY' ? state.midTicks + stopOffset : state.midTicks - stopOffset,
      );
      command = {
        ...base,
        type: 'place',
        orderId,
        side,
        stopPriceTicks,
        stpMode,
        orderType: 'LIMIT',
      };
      if (rng.chance(0.6)) {
        command.priceTicks = Math.max(
          1,
          stopPriceTicks + (side === 'BUY' ? 1 : -1) * rng.int(-3, 10),
        );
        command.qtyLots = this.qty(state);
        const tifRoll = rng.float();
        if (tifRoll > 0.8) command.timeInForce = tifRoll > 0.9 ? 'FOK' : 'IOC';
        else if (rng.chance(0.1)) command.postOnly = true;
      } else if (side === 'BUY' && rng.chance(0.4)) {
        // A stop-market buy by quote amount: once triggered, spends at most the amount.
        command.orderType = 'MARKET';
        command.quoteAmountMinor = notionalMinor(
          market,
          stopPriceTicks,
          this.qty(state) * rng.int(1, 4),
        );
      } else {
        command.orderType = 'MARKET';
        command.qtyLots = this.qty(state);
        if (side === 'BUY') {
          command.quoteCapMinor =
            notionalMinor(market, stopPriceTicks + this.band, command.qtyLots) + 1n;
        }
      }
    }
    if (rng.chance(0.2)) command.clientOrderId = `k${this.sequence}`;
    state.recent.push({ orderId, userId: base.userId, side });
    if (state.recent.length > RECENT_ORDERS_KEPT)
      state.recent.splice(0, state.recent.length - RECENT_ORDERS_KEPT);
    return command;
  }

  private target(state: MarketState): { orderId: string; userId: string; side: Side } {
    if (state.recent.length === 0 || this.rng.chance(0.03)) {
      return {
        orderId: `o${this.rng.int(1, this.sequence)}`,
        userId: `u${this.rng.int(1, this.users)}`,
        side: 'BUY',
      };
    }
    // Bias towards recent orders, which are more likely to be live.
    const index =
      state.recent.length -
      1 -
      Math.floor(Math.abs(this.rng.float() - this.rng.float()) * state.recent.length);
    return state.recent[index];
  }

  private cancelOf(state: MarketState, commandId: string): EngineCommand {
    const target = this.target(state);
    const userId = this.rng.chance(0.97) ? target.userId : `u${this.rng.int(1, this.users)}`;
    return { ...this.base(state, commandId), userId, type: 'cancel', orderId: target.orderId };
  }

  private amend(state: MarketState, commandId: string): EngineCommand {
    const rng = this.rng;
    const target = this.target(state);
    const command: EngineCommand = {
      ...this.base(state, commandId),
      userId: target.userId,
      type: 'amend',
      orderId: target.orderId,
    };
    const roll = rng.float();
    if (roll < 0.4) command.qtyLots = Math.max(1, Math.floor(this.qty(state) / 2));
    else if (roll < 0.7) command.priceTicks = this.price(state, target.side, rng.chance(0.2));
    else {
      command.qtyLots = this.qty(state);
      command.priceTicks = this.price(state, target.side, rng.chance(0.2));
    }
    if (rng.chance(0.85)) {
      const worst = Math.max(command.priceTicks ?? 0, state.midTicks + this.band);
      command.lockAddMinor = notionalMinor(
        state.market,
        worst,
        command.qtyLots ?? this.qty(state) * 4,
      );
    }
    return command;
  }

  private setStatus(state: MarketState, commandId: string): EngineCommand {
    state.halted = !state.halted;
    return {
      ...this.base(state, commandId),
      userId: 'operator',
      type: 'setMarketStatus',
      status: state.halted ? 'HALTED' : 'TRADING',
    };
  }

  private malformed(state: MarketState, commandId: string): EngineCommand {
    const rng = this.rng;
    const base = this.base(state, commandId);
    const orderId = `o${this.sequence}`;
    switch (rng.int(0, 5)) {
      case 0:
        return {
          ...base,
          type: 'place',
          orderId,
          side: 'BUY',
          orderType: 'LIMIT',
          priceTicks: 0,
          qtyLots: 10,
        };
      case 1:
        return {
          ...base,
          type: 'place',
          orderId,
          side: 'SELL',
          orderType: 'LIMIT',
          priceTicks: state.midTicks,
          qtyLots: state.market.maxQtyLots + 1,
        };
      case 2:
        return {
          ...base,
          type: 'place',
          orderId,
          side: 'BUY',
          orderType: 'MARKET',
          qtyLots: this.qty(state),
        };
      case 3:
        return {
          ...base,
          type: 'place',
          orderId,
          side: 'SELL',
          orderType: 'LIMIT',
          priceTicks: 1,
          qtyLots: state.market.minQtyLots,
        };
      case 4:
        return { ...base, symbol: 'NOPE-USDT', type: 'cancelAll' };
      default:
        return { ...base, type: 'amend', orderId };
    }
  }
}
