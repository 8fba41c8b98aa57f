/** Injection token of a service's validated configuration object. */
export const APP_CONFIG = Symbol('APP_CONFIG');
