/** The JSON conventions of API.md, in one place. */
package io.pollster.core.json;
