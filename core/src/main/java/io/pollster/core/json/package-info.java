/** The JSON conventions of docs/api.md, in one place. */
package io.pollster.core.json;
