/** The poll definition every service reads: questions and choices, deadlines, closing. */
package io.pollster.core.poll;
