/** The Results shape shared by the read API, the projector's updates and the live gateway. */
package io.pollster.core.results;
