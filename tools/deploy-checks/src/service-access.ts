// What each service reads and writes on the bus, from the code (its consumers' `topics` and its
// publishers) and its consumer-group prefix: the one table the deploy checks hold every service's
// bus credentials to (the KafkaUsers of k8s/base, the RabbitMQ users of k8s/overlays/rabbitmq).

export type Service = 'gateway' | 'auth' | 'messaging' | 'presence' | 'files';

/** Per service: the topics it consumes and produces, and its Kafka consumer-group prefix with the ACL operations on it. */
export const KAFKA_ACCESS: Record<Service, { consumes: string[]; produces: string[]; group?: [string, string[]] }> = {
  gateway: {
    consumes: ['chat.message.sequenced.v1', 'chat.message.stored.v1', 'chat.message.updated.v1', 'chat.channel.membership.v1', 'chat.workspace.membership.v1', 'chat.read.moved.v1', 'chat.presence.changed.v1', 'chat.auth.session-revoked.v1', 'chat.command.reply.v1'],
    produces: ['chat.channel.command.v1', 'chat.presence.signal.v1'],
    // Broadcast groups are deleted by the pod that made them (libs/kafka, on shutdown).
    group: ['gateway.', ['Read', 'Describe', 'Delete']],
  },
  auth: { consumes: [], produces: ['chat.user.registered.v1', 'chat.auth.session-revoked.v1'] },
  messaging: {
    consumes: ['chat.channel.command.v1', 'chat.message.sequenced.v1', 'chat.user.registered.v1', 'chat.channel.membership.v1', 'chat.file.changed.v1'],
    produces: ['chat.message.sequenced.v1', 'chat.message.stored.v1', 'chat.message.updated.v1', 'chat.command.reply.v1', 'chat.channel.membership.v1', 'chat.workspace.membership.v1', 'chat.read.moved.v1', 'chat.file.shared.v1'],
    group: ['messaging', ['Read', 'Describe']],
  },
  presence: { consumes: ['chat.channel.membership.v1', 'chat.workspace.membership.v1', 'chat.presence.signal.v1'], produces: ['chat.presence.changed.v1', 'chat.presence.signal.v1'], group: ['presence', ['Read', 'Describe']] },
  files: { consumes: ['chat.file.changed.v1', 'chat.file.shared.v1', 'chat.channel.membership.v1'], produces: ['chat.file.changed.v1'], group: ['files', ['Read', 'Describe']] },
};
