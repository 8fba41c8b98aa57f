/** Exits with a hint unless this process runs on the Node.js major of the `node` devDependency. */
export function assertProjectNode(): void;
