// The RabbitMQ pass of the e2e tier (jest.config.js, project e2e-rabbitmq): every TestSystem and
// `npm start` of the spec file runs on RabbitMQ. Jest gives each spec file its own copy of
// process.env, so this never leaks into the Kafka pass that shares the process (--runInBand).
process.env.BUS = 'rabbitmq';
process.env.RABBITMQ_URL ??= 'amqp://127.0.0.1:5672';
