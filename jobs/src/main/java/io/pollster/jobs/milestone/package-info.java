/** Milestones: a poll's total crossing a threshold becomes a notification to its creator. */
package io.pollster.jobs.milestone;
