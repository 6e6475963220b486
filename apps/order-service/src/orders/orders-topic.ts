import { Injectable } from '@nestjs/common';
import { TOPICS, TopicNames } from '@app/messaging';

/** The physical name of the topic TX1 queues engine commands for (prefix included). */
@Injectable()
export class OrdersTopic {
  readonly name: string;

  constructor(topics: TopicNames) {
    this.name = topics.of(TOPICS.orders.logical);
  }
}
