// provisional: replaced by ts-rs output

export type Changed = { incidents: Array<number>; all: boolean };
