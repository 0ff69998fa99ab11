export * from './schema.js';
export * from './build.js';
export * from './markdown.js';
export * from './compare.js';
